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
      <CanAccess resource="hunt" action="list">
        <Menu.Item to="/hunt" primaryText={t('citysoc.menu.hunt')} leftIcon={<Icons.hunt />} />
      </CanAccess>
      <Menu.ResourceItem name="playbookApprovals" />
      <Menu.ResourceItem name="playbookRuns" />
      <Menu.ResourceItem name="playbooks" />
      <Menu.ResourceItem name="audit" />
      <CanAccess resource="audit-verify" action="list">
        <Menu.Item to="/audit-verify" primaryText={t('citysoc.menu.verify')} leftIcon={<Icons.verify />} />
      </CanAccess>
      <Menu.ResourceItem name="users" />
      <Menu.ResourceItem name="apiTokens" />
      <Menu.ResourceItem name="policies" />
      <Menu.ResourceItem name="emergencyGrants" />
      <Menu.ResourceItem name="isolations" />
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
