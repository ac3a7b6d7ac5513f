# OpenBao server config for the compose provider: the settings the local provider writes
# (packages/core/src/local/vault-server.ts): raft storage (file storage was removed in OpenBao 2.7),
# a single node that elects itself quickly, the listener with its own cluster address.
storage "raft" {
  path                   = "/openbao/data"
  node_id                = "devstack"
  performance_multiplier = 1
}
listener "tcp" {
  address         = "0.0.0.0:8200"
  cluster_address = "0.0.0.0:8201"
  tls_disable     = true
}
api_addr     = "http://vault:8200"
cluster_addr = "https://vault:8201"
ui           = false
log_level    = "info"
