// The worker side of processes.mjs: prepare (load, open files), report 'ready', wait for 'go', run, report 'done'
// with the result (or the error) and exit. Exiting explicitly matters: a store instance keeps a watcher open.
//
// `prepare` resolves with `run`, or with `{ run, phases }`: then after 'done' the worker stays up and answers
// `{ type: 'phase', name }` messages with `{ type: 'phase-done', name, result }` (`phases[name]()`), exiting after
// the phase named 'last' (see runTogether's `after`). Used to ask every worker something once ALL are done.
export function workerMain(prepare) {
  const leave = (message) => process.send(message, () => process.exit(0));
  const fail = (error) => leave({ type: 'error', error: String(error?.stack ?? error) });
  prepare().then((prepared) => {
    const run = typeof prepared === 'function' ? prepared : prepared.run;
    const phases = typeof prepared === 'function' ? undefined : prepared.phases;
    process.on('message', (message) => {
      if (message.type === 'go') {
        // CPU time of the whole process (every thread, user + system) while it worked: on a machine with fewer
        // cores than processes, CPU and not the disk may set the pace.
        const cpu = process.cpuUsage();
        // The monotonic clock V8's CPU profiles use (µs), to cut a --cpu-prof profile down to the measured part.
        const monoStartUs = Number(process.hrtime.bigint() / 1000n);
        run().then((result) => {
          const used = process.cpuUsage(cpu);
          const monoEndUs = Number(process.hrtime.bigint() / 1000n);
          const done = { type: 'done', result: { ...result, cpuMs: (used.user + used.system) / 1000, monoStartUs, monoEndUs } };
          if (phases) process.send(done);
          else leave(done);
        }, fail);
      } else if (message.type === 'phase' && phases?.[message.name]) {
        phases[message.name]().then((result) => {
          const answer = { type: 'phase-done', name: message.name, result };
          if (message.name === 'last') leave(answer);
          else process.send(answer);
        }, fail);
      }
    });
    process.send({ type: 'ready' });
  }, fail);
}
