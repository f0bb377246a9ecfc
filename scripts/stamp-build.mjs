// After `tsc -p tsconfig.build.json`: records which sources dist/ was built from,
// so that worker threads started from the sources can use the build (src/shared/start-worker.ts).
import { writeBuildStamp } from '../dist/shared/build-stamp.js';

writeBuildStamp();
