// torch.nn
import * as functional from "./functional.js";

export { functional };
