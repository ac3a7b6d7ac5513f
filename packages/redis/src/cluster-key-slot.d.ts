// cluster-key-slot (ioredis' own slot function) ships no types.
declare module 'cluster-key-slot' {
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
