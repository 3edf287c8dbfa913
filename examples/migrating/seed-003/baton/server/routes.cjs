module.exports = (app, { getUsers, getAppointments }, baton) => {
  app.get('/api/admin/users', baton.requireRole('admin'), getUsers);
  app.get('/api/doctor/appointments', baton.requireRole('doctor', 'admin'), getAppointments);
};
