import { Schema, type Connection, type Model } from 'mongoose';
import type { CallRecord, CallStatusEvent, CallTurn, TurnTimings } from '../../call/call-record.js';

/**
 * One call as stored: the CallRecord fields plus what the database needs. `_id` is the callSid:
 * FerretDB v1 serves `_id` lookups from an index but scans the collection for any other filter,
 * so every per-call read and write goes by `_id`. Writes are idempotent: the recorder `$set`s
 * the whole record (never `statusEvents`), and status callbacks are `$push`ed guarded by
 * `statusKeys` (see call-ops.ts), so replays create nothing new.
 */
export interface CallDoc extends Omit<CallRecord, 'statusEvents' | 'direction' | 'startedAtMs'> {
  /** The callSid. */
  _id: string;
  /** Absent on a stub created by a status callback that arrived before the call record. */
  direction?: string;
  startedAtMs?: number;
  statusEvents?: CallStatusEvent[];
  /** `status#sequence` of every entry of statusEvents (the idempotency key). */
  statusKeys?: string[];
  durationMs?: number;
  turnCount?: number;
  updatedAtMs: number;
}

const TimingsSchema = new Schema<TurnTimings>(
  {
    speechEndMs: Number,
    sttFinalMs: Number,
    decidedMs: Number,
    ttsFirstAudioMs: Number,
    firstFrameSentMs: Number,
    playbackDoneMs: Number,
  },
  { _id: false },
);

const TurnSchema = new Schema<CallTurn>(
  {
    role: { type: String, required: true, enum: ['bot', 'caller'] },
    prompt: String,
    text: String,
    digits: String,
    confidence: Number,
    interrupted: Boolean,
    noInput: Boolean,
    atMs: { type: Number, required: true },
    stages: { type: Map, of: Number },
    timings: { type: TimingsSchema, default: () => ({}) },
  },
  { _id: false },
);

const StatusSchema = new Schema<CallStatusEvent>(
  {
    status: { type: String, required: true },
    atMs: { type: Number, required: true },
    sequence: Number,
    durationSec: Number,
  },
  { _id: false },
);

const CountersSchema = new Schema<CallRecord['counters']>(
  { framesIn: Number, framesOut: Number, malformed: Number, bargeIns: Number },
  { _id: false },
);

export const CallSchema = new Schema<CallDoc>(
  {
    _id: { type: String, required: true },
    callSid: { type: String, required: true },
    tenantId: String,
    streamSid: String,
    direction: String,
    from: String,
    to: String,
    flow: { type: new Schema({ id: String, version: Number }, { _id: false }) },
    startedAtMs: Number,
    endedAtMs: Number,
    durationMs: Number,
    outcome: String,
    turns: { type: [TurnSchema], default: undefined },
    turnCount: Number,
    statusEvents: { type: [StatusSchema], default: undefined },
    statusKeys: { type: [String], default: undefined },
    counters: { type: CountersSchema },
    updatedAtMs: { type: Number, required: true },
  },
  { collection: 'calls', versionKey: false },
);
// Every query the admin API makes: by callSid; per tenant newest first, optionally by caller or
// outcome; and the operator's view across tenants.
CallSchema.index({ callSid: 1 }, { unique: true, name: 'callSid_unique' });
CallSchema.index({ tenantId: 1, startedAtMs: -1 }, { name: 'tenant_started' });
CallSchema.index({ tenantId: 1, from: 1, startedAtMs: -1 }, { name: 'tenant_from_started' });
CallSchema.index({ tenantId: 1, outcome: 1, startedAtMs: -1 }, { name: 'tenant_outcome_started' });
CallSchema.index({ startedAtMs: -1 }, { name: 'started' });

export type CallModel = Model<CallDoc>;

export function callModel(connection: Connection): CallModel {
  return (
    (connection.models.Call as CallModel | undefined) ??
    connection.model<CallDoc>('Call', CallSchema)
  );
}
