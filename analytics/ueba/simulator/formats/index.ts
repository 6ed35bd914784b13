/** Each activity written in the format of the product that records it. */
import type { Activity } from '../activity';
import { apiLine } from './data-api';
import { hdfsLine } from './hdfs';
import { mysqlLine } from './mysql';
import { pgauditLine } from './pgaudit';
import { rangerLine } from './ranger';
import { syslogLine } from './syslog';

export function render(a: Activity): string {
  switch (a.kind) {
    case 'hive':
      return rangerLine(a);
    case 'hdfs':
      return hdfsLine(a);
    case 'mysql':
      return mysqlLine(a);
    case 'pgaudit':
      return pgauditLine(a);
    case 'api':
      return apiLine(a);
    case 'syslog':
      return syslogLine(a);
  }
}
