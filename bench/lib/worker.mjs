// The worker side of processes.mjs: prepare (load, open files), report 'ready', wait for 'go', run, report 'done'
// with the result (or the error) and exit. Exiting explicitly matters: a store instance keeps a watcher open.
export function workerMain(prepare) {
  const leave = (message) => process.send(message, () => process.exit(0));
  const fail = (error) => leave({ type: 'error', error: String(error?.stack ?? error) });
  prepare().then((run) => {
    process.on('message', (message) => {
      if (message.type === 'go') {
        // CPU time of the whole process (every thread, user + system) while it worked: on a machine with fewer
        // cores than processes, CPU and not the disk may set the pace.
        const cpu = process.cpuUsage();
        run().then((result) => {
          const used = process.cpuUsage(cpu);
          leave({ type: 'done', result: { ...result, cpuMs: (used.user + used.system) / 1000 } });
        }, fail);
      }
    });
    process.send({ type: 'ready' });
  }, fail);
}
