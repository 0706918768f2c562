import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A named sequence (e.g. `orders:demo-pizzeria`). `seq` is the last value handed out. An `$inc`
 * here is a hint, not the guarantee: FerretDB v1 runs findOneAndUpdate as query-then-update, so
 * whoever takes a number must also insert it under a unique index and retry on a duplicate.
 */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export const CounterSchema = new Schema<CounterDoc>(
  {
    _id: { type: String, required: true, maxlength: 200 },
    seq: { type: Number, required: true, min: 0 },
  },
  { collection: 'counters', versionKey: false, strict: 'throw' },
);

export type CounterModel = Model<CounterDoc>;

export function counterModel(connection: Connection): CounterModel {
  return (
    (connection.models.Counter as CounterModel | undefined) ??
    connection.model<CounterDoc>('Counter', CounterSchema)
  );
}
