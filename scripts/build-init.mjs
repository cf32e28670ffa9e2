// `npm run build`, after tsc: builds the box init (packages/sandbox/native/box-init.c).
// Without a C compiler it says what to install and goes on: `npm start` installs one and
// an engine builds the init when it starts.
import {
  boxInitState,
  buildBoxInit,
  findCompiler,
  BOX_INIT_PACKAGES,
} from '../packages/sandbox/dist/native/box-init.js';

if (boxInitState() === 'built') process.exit(0);
if (!findCompiler()) {
  console.log(
    `codebox: the box init is not built: no C compiler (npm start installs ${BOX_INIT_PACKAGES}; or apt-get install -y ${BOX_INIT_PACKAGES})`,
  );
  process.exit(0);
}
try {
  console.log(`codebox: built the box init: ${buildBoxInit()}`);
} catch (err) {
  console.log(`codebox: ${err.message}`);
}
