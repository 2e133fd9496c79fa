// Must NOT compile (test/types.test.ts checks the one error): proves the declarations are
// typed, not `any`, so that consumer.ts compiling means something.
import * as tg from "tapegrad";

export const n: number = tg.zeros(2).view(2);
