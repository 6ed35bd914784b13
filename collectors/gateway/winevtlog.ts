/**
 * Fluent Bit's `winevtlog` input flattens an event (ProviderName, EventID, Channel, Computer,
 * TimeCreated, StringInserts, Message). The windows-event source reads the {Event: {System,
 * EventData}} shape, so a flat record is folded back into it; insertion strings keep their order.
 */
import type { Doc } from '../../core/doc';

export function isFlatWinEvent(r: Doc): boolean {
  return r.EventID !== undefined && typeof r.Channel === 'string' && r.ProviderName !== undefined && r.System === undefined && r.Event === undefined;
}

export function foldWinEvent(r: Doc): Doc {
  const {
    ProviderName,
    ProviderGuid,
    EventID,
    Version,
    Level,
    Task,
    Opcode,
    Keywords,
    TimeCreated,
    EventRecordID,
    ProcessID,
    ThreadID,
    Channel,
    Computer,
    UserID,
    Message,
    StringInserts,
    ...rest
  } = r;
  const inserts = Array.isArray(StringInserts) ? StringInserts : [];
  const eventData: Doc = Object.fromEntries(inserts.map((v, i) => [`param${i + 1}`, v]));
  return {
    Event: {
      System: {
        Provider: { Name: ProviderName, Guid: ProviderGuid },
        EventID,
        Version,
        Level,
        Task,
        Opcode,
        Keywords,
        TimeCreated: typeof TimeCreated === 'string' ? TimeCreated.replace(/ ([+-]\d{4})$/, '$1') : TimeCreated,
        EventRecordID,
        Execution: { ProcessID, ThreadID },
        Channel,
        Computer,
        Security: { UserID },
      },
      EventData: eventData,
      RenderingInfo: { Message },
    },
    ...rest,
  };
}
