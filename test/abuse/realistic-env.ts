/**
 * Every limit at the app's default (the test app raises them otherwise; `undefined` is "unset"), the
 * client IP from X-Forwarded-For. The adaptive challenge is off: these simulations measure the hard
 * limits alone (the challenge fires earlier, at OTP_PRESSURE_NETWORK_REQUESTS and _DOMAIN_REQUESTS a
 * minute; test/abuse/defences-together.test.ts runs the same attack with both).
 */
export const realisticEnv = {
  TRUST_PROXY: 'true',
  OTP_IP_REQUEST_LIMIT: undefined,
  OTP_IP_VERIFY_LIMIT: undefined,
  OTP_SUBNET_REQUEST_LIMIT: undefined,
  OTP_SUBNET_VERIFY_LIMIT: undefined,
  OTP_DOMAIN_REQUEST_LIMIT: undefined,
  OTP_LARGE_PROVIDER_REQUEST_LIMIT: undefined,
  OTP_CHALLENGE: 'off',
  OTP_PRESSURE_NETWORK_REQUESTS: undefined,
  OTP_PRESSURE_DOMAIN_REQUESTS: undefined,
  OTP_PRESSURE_VOLUME_FLOOR: undefined,
};
