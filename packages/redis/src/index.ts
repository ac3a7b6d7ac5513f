export { failover, resolveFailoverOptions, FAILOVER_DEFAULTS, type FailoverOptions } from './failover';
export { crc16, keySlot, hashTagOf, pickKeys, pickHashTag, parseSlotRanges, SLOT_COUNT, type SlotRange } from './slots';
export { renderPlaybook, writePlaybook } from './failover-playbook';
