/** TanStack Query keys, one place so live invalidation and the components agree. */
export const queryKeys = {
  controllers: ["controllers"] as const,
};
