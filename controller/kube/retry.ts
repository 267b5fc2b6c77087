// client-go's retry.RetryOnConflict: a read-modify-write that met a 409 (someone wrote the
// object between our read and our write) runs again from a fresh read, a few times.
import { isConflict } from "./client";

/** Thrown by an attempt to ask for another try, as a 409 from the API server would. */
export class Conflict extends Error {
  override name = "Conflict";
}

/** Every attempt met a conflict. */
export class ConflictRetriesExhausted extends Error {
  override name = "ConflictRetriesExhausted";
  constructor(readonly attempts: number) {
    super(`still conflicting after ${attempts} attempts`);
  }
}

export interface RetryOptions {
  attempts?: number;
  /** Delay before the n-th retry: n × this. */
  stepMs?: number;
}

export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  { attempts = 5, stepMs = 20 }: RetryOptions = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof Conflict) && !isConflict(error)) throw error;
      if (i >= attempts) throw new ConflictRetriesExhausted(attempts);
      await new Promise((resolve) => setTimeout(resolve, stepMs * i));
    }
  }
}
