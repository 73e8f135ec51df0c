/** The one step from a backend's `-errno` answer to Python's exception. */
import { errorFor } from './errors.js';

/** A backend call's result: returned when it is not negative, raised as the OSError for its -errno otherwise. */
export function check(res: number): number {
  if (res < 0) throw errorFor(-res);
  return res;
}
