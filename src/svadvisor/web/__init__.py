"""`svadvisor serve`: the advisor as a local web app, for officers who never open a
terminal. Same engine, same rule pack; pages built on GOV.UK Frontend (vendored, MIT),
without GOV.UK's branding: svadvisor is not a government service."""
