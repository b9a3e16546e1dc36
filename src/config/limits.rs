//! The connection cap's default, from the process's descriptor limit.

/// The default connection cap: what the process's file-descriptor limit
/// leaves after `reserved` descriptors (CentralAuth connections, files,
/// the listener), at least 64 and at most 65,536.
pub fn default_max_connections(reserved: usize) -> usize {
    open_file_limit()
        .map(|limit| limit.saturating_sub(reserved))
        .unwrap_or(1_024)
        .clamp(64, 65_536)
}

/// The soft `RLIMIT_NOFILE`, raised to the hard limit first (as Go's
/// runtime does): the soft default of 1,024 is a leftover of `select(2)`.
#[cfg(unix)]
fn open_file_limit() -> Option<usize> {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
        Some(usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX))
    }
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_the_descriptor_limit_less_the_reserve_within_bounds() {
        let limit = open_file_limit().expect("a unix limit");
        assert_eq!(
            default_max_connections(160),
            limit.saturating_sub(160).clamp(64, 65_536)
        );
        // A reserve beyond the limit still leaves a working server.
        assert_eq!(default_max_connections(usize::MAX), 64);
    }
}
