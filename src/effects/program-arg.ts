/**
 * The program-argument check (vm/program-arg.ts), under the name effects/, handlers/ and the
 * toolkit import it by.
 */
export { checkProgramArg } from "../vm/program-arg.js";
