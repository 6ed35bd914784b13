/**
 * Fluent Bit's `winevtlog` input writes an event in one of two ways. By default it flattens it
 * (ProviderName, EventID, Channel, Computer, TimeCreated, StringInserts, Message): such a record
 * is folded back into the {Event: {System, EventData}} shape, its insertion strings (which carry
 * no names) kept in order as unnamed Data. With `Render_Event_As_XML` it sends the event XML as
 * `System` (with `Message`), which names every field: the windows-event source reads that record
 * as it is. Configure `Render_Event_As_XML On` where rules need EventData names.
 */
import type { Doc } from '../../core/doc';

const isXmlRecord = (r: Doc): boolean => typeof r.System === 'string' && r.System.trimStart().startsWith('<Event');

export function isFlatWinEvent(r: Doc): boolean {
  if (isXmlRecord(r)) return true;
  return r.EventID !== undefined && typeof r.Channel === 'string' && r.ProviderName !== undefined && r.System === undefined && r.Event === undefined;
}

export function foldWinEvent(r: Doc): Doc {
  if (isXmlRecord(r)) return r;
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
  const eventData: Doc = Array.isArray(StringInserts) ? { Data: StringInserts } : {};
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
