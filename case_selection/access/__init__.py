"""Who the user is (actors), what they may read (permissions, guards), what they may write (write_policy),
what is sealed until publication (sealing) and which platform methods they may call (allowlist)."""
