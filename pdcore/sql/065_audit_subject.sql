-- The audit log names the person acted on apart from the one who acted: an admin placing a
-- teacher records the admin as actor_id and the teacher as subject_staff_id. actor_id 0 is
-- the command line (pdcore.authz.COMMAND_LINE).
ALTER TABLE audit_log ADD COLUMN subject_staff_id INTEGER;
