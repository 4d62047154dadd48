/**
 * Large bodies (the claim-check pattern of AWS's extended clients): SNS carries at most
 * 256 KiB per message, so a body whose encoded message would be larger is stored elsewhere
 * (S3, see `createS3PayloadStore`) and the message carries only a reference to it.
 */

/** Where offloaded bodies live. `put` returns the reference that `get` takes. */
export interface PayloadStore {
  put(id: string, body: Uint8Array): Promise<string>;
  get(reference: string): Promise<Uint8Array>;
}
