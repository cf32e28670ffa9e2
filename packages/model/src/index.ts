export { checkerOf, groupsOf, interactorOf, judgeRequest, programRequest, sourceFiles } from './requests.js';
export type { FindRuntime, ProgramSpec } from './requests.js';
export { compileJson, judgeJson, testJson, toJson } from './results.js';
export { jobErrorOf } from './errors.js';
