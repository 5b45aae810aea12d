import type { Event } from '../types';
import type { ConvergentKey } from './convergentKey';
import type { HybridClock } from './hlc';
import { deleteIn, type JsonValue, latestStamp, type MapState, type MapValue, setIn } from './lwwMap';

/**
 * A map whose entries any window sets or deletes (`store.lwwMap(key)`): per entry the last write wins, by a hybrid
 * logical clock and then the writer's id — never by the wall clock alone, so a window whose clock runs behind still
 * writes after what it has seen.
 */
export class LwwMap {
  constructor(
    private readonly key: ConvergentKey<MapState, MapValue>,
    private readonly writer: string,
    private readonly clock: HybridClock,
  ) {}

  get onDidChange(): Event<MapValue> {
    return this.key.onDidChange;
  }

  /** The live entries as a plain (null-prototype) object. */
  value(): MapValue {
    return this.key.value();
  }

  get(entry: string): JsonValue | undefined {
    const value = this.key.value();
    return Object.hasOwn(value, entry) ? value[entry] : undefined;
  }

  /** Sets an entry to JSON data; resolves with the map once durable. */
  set(entry: string, value: unknown): Promise<MapValue> {
    return this.key.change((own, merged) => setIn(own, entry, value, this.stampAbove(merged), this.writer));
  }

  delete(entry: string): Promise<MapValue> {
    return this.key.change((own, merged) => deleteIn(own, entry, this.stampAbove(merged), this.writer));
  }

  /** A stamp after every write this window has seen. */
  private stampAbove(merged: MapState) {
    const latest = latestStamp(merged);
    if (latest) this.clock.observe(latest);
    return this.clock.tick();
  }
}
