// After `tsc -p tsconfig.build.json`: records which sources dist/ was built from,
// so that worker threads started from the sources can use the build (src/shared/start-worker.ts).
import { writeBuildStamp } from '../dist/shared/build-stamp.js';

// The digest of the sources taken before the build, when given: a file saved during it is not recorded as built.
writeBuildStamp(process.argv[2]);
