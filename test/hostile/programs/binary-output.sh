printf '\377\376\000\101\303\n'
printf '\200bad\n' >&2
