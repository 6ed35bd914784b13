import { defaultTheme } from 'react-admin';
import type { RaThemeOptions } from 'react-admin';

/** react-admin's default theme with a font stack that renders Chinese well on Windows, macOS and Linux. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  typography: {
    fontFamily: [
      '-apple-system',
      'BlinkMacSystemFont',
      '"Segoe UI"',
      '"PingFang SC"',
      '"Microsoft YaHei"',
      '"Noto Sans CJK SC"',
      '"Noto Sans SC"',
      'sans-serif',
    ].join(','),
  },
};
