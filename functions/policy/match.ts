// Placeholder entry so that the topology can be synthesized while the capability is being built.
// It fails loudly: a message it receives goes back to the queue and, after max receives, to the DLQ.
export const handler = async (): Promise<never> => {
  throw new Error('This function is not implemented yet');
};
