import { describePolicyEnforcement } from './policy-enforcement.contract';

describePolicyEnforcement('the embedded platform (SQLite)', {});
