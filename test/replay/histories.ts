// History fixtures as JSON: protobufjs' object form of temporal.api.history.v1.History (enum
// names, int64 and bytes as strings). Written and read with @temporalio/proto's own classes, so
// the fixtures do not depend on @temporalio/common's protobufjs JSON extension.
import proto from '@temporalio/proto';

const { temporal } = proto;

type History = proto.temporal.api.history.v1.History;

export function historyToFixture(history: unknown): Record<string, unknown> {
  return temporal.api.history.v1.History.toObject(history as History, {
    longs: String,
    enums: String,
    bytes: String,
  });
}

export function historyFromFixture(json: unknown): History {
  return temporal.api.history.v1.History.fromObject(json as Record<string, unknown>);
}
