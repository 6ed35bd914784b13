/** What the PDP is asked and what it answers; the shapes are the same in-process, over HTTP and in GraphQL. */
import { z } from 'zod';
import { Classification } from '../core/event';
import { RESOURCE_TYPES } from '../core/authz';

const Name = z.string().min(1).max(128);

export const DecisionRequestSchema = z.strictObject({
  subject: z.strictObject({ user: Name, roles: z.array(Name).max(64).default([]), department: Name.optional() }),
  resource: z.strictObject({
    type: z.enum(RESOURCE_TYPES),
    domain: Name.optional(),
    dataset: Name.optional(),
    table: Name.optional(),
    field: Name.optional(),
    department: Name.optional(),
    classification: Classification.optional(),
  }),
  action: z.string().regex(/^[a-z_]{1,32}$/, 'an action such as read, export, write'),
  context: z
    .strictObject({
      time: z.iso.datetime({ offset: true }).optional(),
      zone: z.string().max(32).optional(),
      ip: z.string().max(64).optional(),
    })
    .default({}),
});

export type { Decision, DecisionRequest, FieldObligation, FieldTreatment, Obligations, RowFilter, Subject } from '../core/authz';
