/**
 * One writer's write loop (a convergent key's contribution, a log): runs `step` while `hasWork()` says so, one step at
 * a time, so that what is queued while a write is in flight goes together in the next. It looks for work and stops in
 * one synchronous stretch — after the callers resumed by the last step have queued what they had — so a change is
 * never left queued behind a loop that has just stopped.
 */
export class WriteLoop {
  private running = false;
  /** Settles when the loop stops (for dispose: what is queued has been written, or has failed). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly hasWork: () => boolean,
    private readonly step: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.hasWork()) await this.step();
    } catch (error) {
      this.onError(error);
    }
    this.running = false;
  }
}
