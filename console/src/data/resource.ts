/** What one resource's file provides to the dataProvider: any of react-admin's methods it supports. */
import type {
  CreateParams,
  CreateResult,
  DeleteParams,
  DeleteResult,
  GetListParams,
  GetListResult,
  GetManyParams,
  GetManyResult,
  GetOneParams,
  GetOneResult,
  RaRecord,
  UpdateManyParams,
  UpdateManyResult,
  UpdateParams,
  UpdateResult,
} from 'ra-core';

/* eslint-disable @typescript-eslint/no-explicit-any -- react-admin's method signatures are generic over the record type */
export interface ResourceAdapter {
  getList?(params: GetListParams): Promise<GetListResult<any>>;
  getOne?(params: GetOneParams): Promise<GetOneResult<any>>;
  getMany?(params: GetManyParams): Promise<GetManyResult<any>>;
  create?(params: CreateParams): Promise<CreateResult<any>>;
  update?(params: UpdateParams): Promise<UpdateResult<any>>;
  updateMany?(params: UpdateManyParams): Promise<UpdateManyResult<any>>;
  delete?(params: DeleteParams<RaRecord>): Promise<DeleteResult<any>>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** react-admin pages (1-based) as the API's size and offset. */
export function pageOf(p: GetListParams['pagination']): { size: number; offset: number } {
  const page = p?.page ?? 1;
  const perPage = p?.perPage ?? 25;
  return { size: perPage, offset: (page - 1) * perPage };
}

/** Quotes a value for the query language (backslash and double quote escaped). */
export function quoteValue(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => '\\' + c)}"`;
}

/** Strings in a filter form may be empty; the API wants them absent. */
export function present(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}
