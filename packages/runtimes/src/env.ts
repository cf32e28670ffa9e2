/** The environment every step starts from; a runtime adds its own (runtime.env). */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/box',
  LANG: 'C.UTF-8',
  TMPDIR: '/tmp',
};
