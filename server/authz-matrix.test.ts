import { describeAuthorizationMatrix } from './authz-matrix.contract';

describeAuthorizationMatrix('the embedded platform (SQLite)', {});
