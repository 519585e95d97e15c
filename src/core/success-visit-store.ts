/**
 * Port: the success pages already shown. A verify hands the browser a signed "verified" flash with a
 * random visit id; the success page (which can mint a token for RETURN_URL) is shown for that id once,
 * in whichever process the browser reaches, so the store is the shared database.
 */
export interface SuccessVisitStore {
  /**
   * Records `visitIdHash` as spent, keeping the record until `keepUntilMs` (after which the flash is
   * stale anyway; the sweeper drops it then). True for the first caller only, however many race.
   */
  spendSuccessVisit(visitIdHash: string, keepUntilMs: number): Promise<boolean>;
}
