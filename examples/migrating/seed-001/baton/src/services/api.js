import axios from "axios";

const API_URL = import.meta.env.VITE_API_URL;

const api = axios.create({
  baseURL: API_URL,
  withCredentials: true, // Send cookies with requests
});

api.interceptors.response.use(
  (response) => response,
  async (error) => {
    const originalRequest = error.config;

    // If 401 and haven't tried refresh yet
    if (error.response?.status === 401 && !originalRequest._retry) {
      originalRequest._retry = true;

      try {
        // Try to refresh token (refresh token sent automatically via cookie)
        const response = await axios.post(`${API_URL}/auth/refresh`, {}, 
          { withCredentials: true }
        );

        const { accessToken: token, user } = response.data;

        // Update localStorage with new token
        localStorage.setItem("auth", JSON.stringify({ token, user, organization: user.organization }));

        // Retry original request with new token
        originalRequest.headers.Authorization = `Bearer ${token}`;
        return api(originalRequest);

      } catch (refreshError) {
        // Refresh failed - logout user
        localStorage.clear();
        window.location.href = "/auth";
      }
    }

    return Promise.reject(error);
  }
);

export const authAPI = {
  // ... existing methods

  logout: async () => {
    const response = await api.post("/auth/logout");
    return response.data;
  },

  refreshToken: async () => {
    const response = await api.post("/auth/refresh");
    return response.data;
  },
};

export default api;
