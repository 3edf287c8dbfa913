const { authenticateToken, requireRole } = require('./auth-middleware.cjs');

module.exports = (app, { getUsers, getAppointments }) => {
  app.get('/api/admin/users', authenticateToken, requireRole(['admin']), getUsers);
  app.get('/api/doctor/appointments', authenticateToken, requireRole(['doctor', 'admin']), getAppointments);
};
