import type { Collection, Document } from 'mongodb';
import { LatencyRecorder } from '@devstack/core';
import { generateMix, makeRecord, randomString, recordId, seededRandom, type KeyDistribution, type WorkloadName } from './ycsb';

export interface LoadOutcome {
  docsPerSec: number;
  latency: LatencyRecorder;
}

/** Load `records` YCSB records with insertMany in batches, `concurrency` batches in flight. */
export async function loadBatched(coll: Collection<Document>, records: number, docSize: number, batchSize: number, concurrency: number): Promise<LoadOutcome> {
  const random = seededRandom(1);
  const batches: Document[][] = [];
  for (let k = 0; k < records; k += batchSize) batches.push(Array.from({ length: Math.min(batchSize, records - k) }, (_, i) => makeRecord(k + i, docSize, random)));
  const latency = new LatencyRecorder();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const b = batches[next++];
        const s = performance.now();
        await coll.insertMany(b, { ordered: false });
        latency.recordMs(performance.now() - s);
      }
    }),
  );
  return { docsPerSec: records / ((performance.now() - t0) / 1000), latency };
}

/** insertOne per document: the per-request cost the batched load hides. */
export async function insertSingles(coll: Collection<Document>, count: number, docSize: number, concurrency: number): Promise<LoadOutcome> {
  const random = seededRandom(2);
  const latency = new LatencyRecorder();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const doc = makeRecord(next++, docSize, random);
        const s = performance.now();
        await coll.insertOne(doc);
        latency.recordMs(performance.now() - s);
      }
    }),
  );
  return { docsPerSec: count / ((performance.now() - t0) / 1000), latency };
}

export interface WorkloadOutcome {
  opsPerSec: number;
  read: LatencyRecorder;
  update: LatencyRecorder;
  /** Reads that found no document: the load was incomplete (a failed trial, not a fast one). */
  misses: number;
  errors: number;
}

/** Run one YCSB workload: point reads by _id and one-field updates, `concurrency` requests in flight. */
export async function runWorkload(
  coll: Collection<Document>,
  workload: WorkloadName,
  o: { records: number; operations: number; concurrency: number; docSize: number; distribution: KeyDistribution; seed: number },
): Promise<WorkloadOutcome> {
  const ops = generateMix(workload, o);
  const random = seededRandom(o.seed + 1);
  const fieldSize = Math.max(1, Math.floor(o.docSize / 10));
  const workers = Array.from({ length: o.concurrency }, () => ({ read: new LatencyRecorder(), update: new LatencyRecorder(), misses: 0 }));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    workers.map(async (w) => {
      while (next < ops.length) {
        const op = ops[next++];
        if (op.op === 'read') {
          const doc = await w.read.time(() => coll.findOne({ _id: recordId(op.key) } as Document));
          if (doc === null) w.misses += 1;
        } else {
          await w.update.time(() => coll.updateOne({ _id: recordId(op.key) } as Document, { $set: { [`field${op.field}`]: randomString(fieldSize, random) } }));
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const read = workers.reduce((a, w) => a.merge(w.read), new LatencyRecorder());
  const update = workers.reduce((a, w) => a.merge(w.update), new LatencyRecorder());
  return { opsPerSec: (read.count + update.count) / seconds, read, update, misses: workers.reduce((a, w) => a + w.misses, 0), errors: read.errors + update.errors };
}

export interface PointReadOutcome {
  /** findOne calls completed per second over the timed window. */
  opsPerSec: number;
  latency: LatencyRecorder;
  misses: number;
}

/** The point-read probe's records: `docs` YCSB records with insertMany, batches of 100, one in flight. */
export async function loadPointReadDocs(coll: Collection<Document>, docs: number, docSize: number): Promise<void> {
  await loadBatched(coll, docs, docSize, Math.min(docs, 100), 1);
}

/**
 * Point-read throughput (issue 17's measurement), over records loaded by loadPointReadDocs:
 * findOne({_id}) by uniformly random key, `concurrency` calls in flight, for `seconds`. Closed loop:
 * the figure is what the server sustains, comparable across backends with the same command.
 */
export async function pointReads(coll: Collection<Document>, o: { docs: number; concurrency: number; seconds: number; seed: number }, signal?: AbortSignal): Promise<PointReadOutcome> {
  const random = seededRandom(o.seed);
  const latency = new LatencyRecorder();
  let misses = 0;
  const t0 = performance.now();
  const until = t0 + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (performance.now() < until && !signal?.aborted) {
        const doc = await latency.time(() => coll.findOne({ _id: recordId(Math.floor(random() * o.docs)) } as Document));
        if (doc === null) misses += 1;
      }
    }),
  );
  // Successful reads only: a failed call (latency.errors) is not throughput.
  return { opsPerSec: latency.count / ((performance.now() - t0) / 1000), latency, misses };
}
