/** The step machine's modes (SEMANTICS §2.2) and run() statuses. A module of its own so the
 * machine's parts (dispatch, execute, finalize) can share them without an import cycle. */
export const M_DELIVER = 0;
export const M_THROW = 1;
export const M_UNWIND = 2;
export const M_HANDLE_YIELD = 3;
export const M_RETURN_VALUE = 4;
export const M_RETURN_ERROR = 5;
/** Suspended at a perform site on a FAST_PATH's awaitAnswer (runAsync): the driver delivers the outcome
 * (Deliver / Throw) before the next step; stepping in this mode is a machine bug. */
export const M_AWAIT = 6;
export const MODE_NAMES = ["Deliver", "Throw", "Unwind", "HandleYield", "Return", "Return", "Await"] as const;

/** run() status */
export const ST_DONE = 0;
export const ST_ASYNC = 1;
export const ST_BUDGET = 2;
