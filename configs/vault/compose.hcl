# Vault/OpenBao server config for the compose provider (the local provider writes its own).
storage "file" {
  path = "/openbao/file"
}
listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}
api_addr      = "http://vault:8200"
disable_mlock = true
ui            = false
