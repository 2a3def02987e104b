// Used by relaunch.test.ts: relaunches a small child the way apps/bench and apps/report relaunch themselves.
import { relaunch } from '../src/relaunch.js';

const child = `
process.on('SIGINT', () => { console.log('child: SIGINT'); process.exit(3); });
console.log('child: ready');
setInterval(() => {}, 1000);
`;
process.exitCode = await relaunch(process.execPath, ['-e', child], process.env);
