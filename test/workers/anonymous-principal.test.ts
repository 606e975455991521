/**
 * The principal of a caller with auth off: always `anonymous`, with its limits counted per client
 * address (`CF-Connecting-IP`), an IPv6 client as its /64; a missing or odd header leaves the
 * caller on `anonymous`'s shared limits.
 */
import { describe, expect, it } from 'vitest'
import { anonymousPrincipal } from '../../src/anonymous-principal'
import { ANONYMOUS, quotaKeyOf } from '../../src/types'

describe('anonymousPrincipal', () => {
  it('counts an IPv4 client by its address', () => {
    expect(anonymousPrincipal('203.0.113.7')).toEqual({
      name: 'anonymous',
      quotaKey: 'anonymous@203.0.113.7',
    })
  })

  it.each([
    ['2001:db8:1:2::5', 'anonymous@2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff:0:0:1', 'anonymous@2001:db8:1:2::/64'],
    ['::1', 'anonymous@0:0:0:0::/64'],
    ['fe80::', 'anonymous@fe80:0:0:0::/64'],
    ['2001:db8::', 'anonymous@2001:db8:0:0::/64'],
  ])('counts the IPv6 client %s by its /64', (address, quotaKey) => {
    expect(anonymousPrincipal(address)).toEqual({ name: 'anonymous', quotaKey })
  })

  it.each([
    undefined,
    '',
    'localhost',
    '1.2.3',
    '1.2.3.4.5',
    '2001:db8::1::2',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::1',
    '::ffff:192.0.2.1',
    'x'.repeat(10_000),
  ])('leaves %s on the shared anonymous limits', (address) => {
    expect(anonymousPrincipal(address)).toBe(ANONYMOUS)
    expect(quotaKeyOf(anonymousPrincipal(address))).toBe('anonymous')
  })
})
