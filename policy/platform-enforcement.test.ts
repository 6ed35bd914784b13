import { describePolicyEnforcement } from './enforcement.contract';

describePolicyEnforcement('the embedded platform (SQLite)', {});
