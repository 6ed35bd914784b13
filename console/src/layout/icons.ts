import AccountTreeIcon from '@mui/icons-material/AccountTree';
import AssignmentTurnedInIcon from '@mui/icons-material/AssignmentTurnedIn';
import PersonSearchIcon from '@mui/icons-material/PersonSearch';
import AltRouteIcon from '@mui/icons-material/AltRoute';
import HowToRegIcon from '@mui/icons-material/HowToReg';
import PlaylistPlayIcon from '@mui/icons-material/PlaylistPlay';
import BusinessCenterIcon from '@mui/icons-material/BusinessCenter';
import BlockIcon from '@mui/icons-material/Block';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import GppMaybeIcon from '@mui/icons-material/GppMaybe';
import KeyIcon from '@mui/icons-material/Key';
import MonitorIcon from '@mui/icons-material/Monitor';
import PeopleIcon from '@mui/icons-material/People';
import PolicyIcon from '@mui/icons-material/Policy';
import ReceiptLongIcon from '@mui/icons-material/ReceiptLong';
import RuleIcon from '@mui/icons-material/Rule';
import SensorsIcon from '@mui/icons-material/Sensors';
import TravelExploreIcon from '@mui/icons-material/TravelExplore';
import WarningAmberIcon from '@mui/icons-material/WarningAmber';

export const Icons = {
  alerts: WarningAmberIcon,
  cases: BusinessCenterIcon,
  hunt: TravelExploreIcon,
  audit: ReceiptLongIcon,
  verify: FactCheckIcon,
  users: PeopleIcon,
  tokens: KeyIcon,
  policies: PolicyIcon,
  grants: GppMaybeIcon,
  isolations: BlockIcon,
  screen: MonitorIcon,
  approvals: HowToRegIcon,
  runs: PlaylistPlayIcon,
  playbooks: AltRouteIcon,
  overview: AccountTreeIcon,
  rules: RuleIcon,
  sources: SensorsIcon,
  entities: PersonSearchIcon,
  compliance: AssignmentTurnedInIcon,
};
