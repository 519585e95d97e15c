import { describe, expect, it } from 'vitest';
import { networkOf } from '../../src/core/client-network.js';

describe('networkOf', () => {
  it('names an IPv4 /24 and an IPv6 /64 by default', () => {
    expect(networkOf('203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('203.0.113.250')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(networkOf('2001:db8:1:2::ffff')).toBe('2001:db8:1:2::/64');
  });

  it('treats an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(networkOf('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
  });

  it('takes other prefix lengths', () => {
    expect(networkOf('203.0.113.9', { v4: 16, v6: 48 })).toBe('203.0.0.0/16');
    expect(networkOf('2001:db8:1:2::1', { v4: 16, v6: 48 })).toBe('2001:db8:1::/48');
    expect(networkOf('203.0.113.9', { v4: 32, v6: 128 })).toBe('203.0.113.9/32');
  });

  it('separates neighbouring networks', () => {
    expect(networkOf('203.0.113.9')).not.toBe(networkOf('203.0.114.9'));
    expect(networkOf('2001:db8:1:2::1')).not.toBe(networkOf('2001:db8:1:3::1'));
  });

  it('gives null for anything that is not an IP address', () => {
    for (const text of ['', 'nonsense', '1.2.3.4.5', '999.1.1.1', 'localhost']) expect(networkOf(text)).toBeNull();
  });
});
