-- A call's transfer in progress, or how its latest one ended (callcenter.Transfer as JSON); '' when never transferred.
ALTER TABLE calls ADD COLUMN transfer TEXT NOT NULL DEFAULT '';
