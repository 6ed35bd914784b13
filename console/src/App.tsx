import { lazy } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { authProvider, CHANGE_PASSWORD_PATH } from './auth/authProvider';
import { ChangePasswordPage } from './auth/ChangePasswordPage';
import { LoginPage } from './auth/LoginPage';
import { dataProvider } from './data/dataProvider';
import { i18nProvider } from './i18n';
import { ConsoleLayout } from './layout/ConsoleLayout';
import { theme } from './layout/theme';
import { AlertList } from './views/alerts/AlertList';
import { AlertShow } from './views/alerts/AlertShow';
import { CaseCreate } from './views/cases/CaseCreate';
import { CaseList } from './views/cases/CaseList';
import { CaseShow } from './views/cases/CaseShow';
import { ApiTokenCreate, ApiTokenList } from './views/admin/ApiTokens';
import { EmergencyGrantCreate, EmergencyGrantList } from './views/admin/EmergencyGrants';
import { IsolationCreate, IsolationList } from './views/admin/Isolations';
import { PolicyList } from './views/admin/Policies';
import { UserCreate, UserEdit, UserList } from './views/admin/Users';
import { AuditList } from './views/audit/AuditList';
import { AuditVerifyPage } from './views/audit/AuditVerifyPage';
import { CompliancePage } from './views/compliance/CompliancePage';
import { EntityList } from './views/entities/EntityList';
import { EntityShow } from './views/entities/EntityShow';
import { HuntPage } from './views/hunt/HuntPage';
import { PolicyChangesPage } from './views/policy-changes/PolicyChangesPage';
import { ApprovalList } from './views/playbooks/ApprovalList';
import { PlaybookList } from './views/playbooks/PlaybookList';
import { VersionsPage } from './views/playbooks/VersionsPage';
import { RunList } from './views/playbooks/RunList';
import { RunShow } from './views/playbooks/RunShow';
import { RuleList } from './views/rules/RuleList';
import { RuleShow } from './views/rules/RuleShow';
import { SourcesPage } from './views/sources/SourcesPage';
import { Icons } from './layout/icons';

// ECharts is loaded only by the pages that draw charts, so the alert queue starts without it.
const Overview = lazy(() => import('./views/overview/Overview'));
const BigScreen = lazy(() => import('./views/overview/BigScreen'));

export function App() {
  return (
    <Admin
      title="CitySOC"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      layout={ConsoleLayout}
      loginPage={LoginPage}
      dashboard={Overview}
      theme={theme}
      disableTelemetry
    >
      <Resource name="alerts" list={AlertList} show={AlertShow} icon={Icons.alerts} recordRepresentation={(r) => String(r.rule?.name ?? r.id)} />
      <Resource name="cases" list={CaseList} show={CaseShow} create={CaseCreate} icon={Icons.cases} recordRepresentation={(r) => String(r.id)} />
      <Resource name="playbookApprovals" list={ApprovalList} icon={Icons.approvals} />
      <Resource name="playbookRuns" list={RunList} show={RunShow} icon={Icons.runs} recordRepresentation={(r) => String(r.playbookName ?? r.id)} />
      <Resource name="playbooks" list={PlaybookList} icon={Icons.playbooks} />
      <Resource name="audit" list={AuditList} icon={Icons.audit} />
      <Resource name="users" list={UserList} create={UserCreate} edit={UserEdit} icon={Icons.users} recordRepresentation="username" />
      <Resource name="apiTokens" list={ApiTokenList} create={ApiTokenCreate} icon={Icons.tokens} />
      <Resource name="policies" list={PolicyList} icon={Icons.policies} />
      <Resource name="emergencyGrants" list={EmergencyGrantList} create={EmergencyGrantCreate} icon={Icons.grants} />
      <Resource name="isolations" list={IsolationList} create={IsolationCreate} icon={Icons.isolations} />
      <Resource name="events" />
      <Resource name="rules" list={RuleList} show={RuleShow} icon={Icons.rules} recordRepresentation="title" />
      <Resource name="entities" list={EntityList} show={EntityShow} icon={Icons.entities} recordRepresentation={(r) => String(r.key ?? r.id)} />
      <CustomRoutes>
        <Route path="/hunt" element={<HuntPage />} />
        <Route path="/audit-verify" element={<AuditVerifyPage />} />
        <Route path="/sources" element={<SourcesPage />} />
        <Route path="/compliance" element={<CompliancePage />} />
        <Route path="/policy-changes" element={<PolicyChangesPage />} />
        <Route path="/playbook-versions" element={<VersionsPage />} />
      </CustomRoutes>
      <CustomRoutes noLayout>
        <Route path={CHANGE_PASSWORD_PATH} element={<ChangePasswordPage />} />
        <Route path="/screen" element={<BigScreen />} />
      </CustomRoutes>
    </Admin>
  );
}
