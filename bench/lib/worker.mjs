// The worker side of processes.mjs: prepare (load, open files), report 'ready', wait for 'go', run, report 'done'
// with the result (or the error) and exit. Exiting explicitly matters: a store instance keeps a watcher open.
export function workerMain(prepare) {
  const leave = (message) => process.send(message, () => process.exit(0));
  const fail = (error) => leave({ type: 'error', error: String(error?.stack ?? error) });
  prepare().then((run) => {
    process.on('message', (message) => {
      if (message.type === 'go') run().then((result) => leave({ type: 'done', result }), fail);
    });
    process.send({ type: 'ready' });
  }, fail);
}
