/** GraphQL over the events service: thin adapters, one service call per root field. */
import type { Bound } from '../core/door';
import { type GraphQLContribution, viaService } from '../core/module';
import type { AggregationInput, EventActions } from './service';

export const eventTypeDefs = /* GraphQL */ `
  "Ascending or descending."
  enum SortOrder {
    asc
    desc
  }
  "terms: the most frequent values; date_histogram: counts per fixed interval; cardinality: distinct values."
  enum AggType {
    terms
    date_histogram
    cardinality
  }
  "How the keys of an aggregation are shown to the caller: as stored, as tokens, or masked."
  enum KeyView {
    clear
    token
    mask
  }
  "A sort key; event.id is always appended as the tie-breaker."
  input SortInput {
    field: String!
    order: SortOrder!
  }
  "One aggregation of a request."
  input AggInput {
    "Unique name of this aggregation in the request."
    name: String!
    type: AggType!
    "Field to aggregate; date_histogram defaults to @timestamp."
    field: String
    "terms: how many buckets (1..1000, default 10)."
    size: Int
    "date_histogram: a fixed interval such as 30s, 5m, 1h, 1d."
    interval: String
  }
  "A page of events (ECS documents, with the caller's masks applied)."
  type EventPage {
    "Every event that matches, not only this page."
    total: Int!
    events: [JSON!]!
    "Pass as 'after' for the next page; null on the last page."
    nextCursor: String
  }
  "One bucket of a terms or date_histogram aggregation."
  type Bucket {
    "The term (string or number) or the bucket's start in epoch milliseconds."
    key: JSON!
    count: Int!
  }
  "The result of one aggregation."
  type AggResult {
    name: String!
    type: AggType!
    "terms and date_histogram."
    buckets: [Bucket!]
    "How bucket keys are shown (terms)."
    keys: KeyView
    "cardinality: the number of distinct values (approximate on Elasticsearch/OpenSearch)."
    value: Int
  }
  "The aggregations of a request and how many events they ran over."
  type Aggregations {
    total: Int!
    aggs: [AggResult!]!
  }

  extend type Query {
    "Events matching a query in CitySOC's query language (KQL/Lucene style), newest first by default. size 0 answers the total only."
    events(query: String, from: String, to: String, sort: [SortInput!], size: Int = 100, offset: Int, after: String): EventPage!
    "One event by event.id; NOT_FOUND when absent or not visible to the caller (the two are indistinguishable)."
    event(id: ID!): JSON!
    "Aggregations (terms, date_histogram, cardinality) over the events a query matches."
    eventAggregations(query: String, from: String, to: String, aggs: [AggInput!]!): Aggregations!
  }
`;

const opt = <T>(v: unknown): T | null => (v === undefined ? null : (v as T | null));

export function eventGraphQL(svc: Bound<EventActions>): GraphQLContribution {
  return {
    typeDefs: eventTypeDefs,
    resolvers: {
      Query: {
        events: viaService(svc.search, (a) => ({
          query: opt<string>(a.query),
          from: opt<string>(a.from),
          to: opt<string>(a.to),
          sort: opt<{ field: string; order: 'asc' | 'desc' }[]>(a.sort),
          size: opt<number>(a.size),
          offset: opt<number>(a.offset),
          after: opt<string>(a.after),
        })),
        event: viaService(svc.get, (a) => ({ id: a.id as string })),
        eventAggregations: viaService(svc.aggregate, (a) => ({
          query: opt<string>(a.query),
          from: opt<string>(a.from),
          to: opt<string>(a.to),
          aggs: a.aggs as AggregationInput[],
        })),
      },
    },
  };
}
