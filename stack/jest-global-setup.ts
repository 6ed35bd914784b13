/** Starts the real engines before the integration tests (filled in with the stack). */
export default async function globalSetup(): Promise<void> {}
