import DifferenceIcon from '@mui/icons-material/Difference';
import HistoryIcon from '@mui/icons-material/History';
import type { ReactNode } from 'react';
import { CanAccess, Layout, Menu, useTranslate } from 'react-admin';
import { PasswordChangeGate } from '../auth/PasswordChangeGate';
import { Icons } from './icons';

/** The menu lists only what the signed-in user's roles may open. */
function ConsoleMenu() {
  const t = useTranslate();
  return (
    <Menu>
      <Menu.DashboardItem primaryText={t('citysoc.menu.overview')} />
      <Menu.ResourceItem name="alerts" />
      <Menu.ResourceItem name="cases" />
      <Menu.ResourceItem name="entities" />
      <CanAccess resource="hunt" action="list">
        <Menu.Item to="/hunt" primaryText={t('citysoc.menu.hunt')} leftIcon={<Icons.hunt />} />
      </CanAccess>
      <Menu.ResourceItem name="playbookApprovals" />
      <Menu.ResourceItem name="playbookRuns" />
      <Menu.ResourceItem name="playbooks" />
      <CanAccess resource="playbook-versions" action="list">
        <Menu.Item to="/playbook-versions" primaryText={t('citysoc.playbook_versions.menu')} leftIcon={<HistoryIcon />} />
      </CanAccess>
      <Menu.ResourceItem name="audit" />
      <CanAccess resource="audit-verify" action="list">
        <Menu.Item to="/audit-verify" primaryText={t('citysoc.menu.verify')} leftIcon={<Icons.verify />} />
      </CanAccess>
      <CanAccess resource="policy-changes" action="list">
        <Menu.Item to="/policy-changes" primaryText={t('citysoc.policy_changes.menu')} leftIcon={<DifferenceIcon />} />
      </CanAccess>
      <CanAccess resource="compliance" action="list">
        <Menu.Item to="/compliance" primaryText={t('citysoc.compliance.menu')} leftIcon={<Icons.compliance />} />
      </CanAccess>
      <Menu.ResourceItem name="users" />
      <Menu.ResourceItem name="apiTokens" />
      <Menu.ResourceItem name="policies" />
      <Menu.ResourceItem name="emergencyGrants" />
      <Menu.ResourceItem name="isolations" />
      <Menu.ResourceItem name="rules" />
      <CanAccess resource="sources" action="list">
        <Menu.Item to="/sources" primaryText={t('citysoc.sources.title')} leftIcon={<Icons.sources />} />
      </CanAccess>
      <CanAccess resource="screen" action="list">
        <Menu.Item to="/screen" primaryText={t('citysoc.menu.screen')} leftIcon={<Icons.screen />} />
      </CanAccess>
    </Menu>
  );
}

export function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <PasswordChangeGate>
      <Layout menu={ConsoleMenu}>{children}</Layout>
    </PasswordChangeGate>
  );
}
